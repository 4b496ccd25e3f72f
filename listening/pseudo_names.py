"""First names and surnames: a lexicon for detection and a pool of substitute names.

The first-name lists serve two purposes: finding first names that spaCy's NER misses
("ma fille Lina") and telling a person's gender for the "name" pseudonym style. They
cover names common in France across generations and origins; they are not exhaustive.
"""

from __future__ import annotations

import unicodedata

FEMALE = """
Adèle Agathe Agnès Aïcha Aïssatou Alexandra Alice Alicia Aline Alix Amandine Amélie Amina
Aminata Anaïs Andrée Angèle Angélique Anissa Annabelle Anne Anne-Marie Anne-Sophie Annick
Annie Antoinette Apolline Ariane Armelle Assia Audrey Aurélie Axelle Aya Béatrice Bernadette
Brigitte Camille Carla Carole Caroline Catherine Cécile Céline Chantal Charlène Charlotte
Chloé Christelle Christiane Christine Claudine Clara Clarisse Colette Coralie Corinne
Cyrielle Dalila Danièle Danielle Delphine Denise Diane Dominique Dorothée Édith Éléonore
Élisa Élise Élodie Éloïse Elsa Emma Emmanuelle Estelle Eva Évelyne Fabienne Fanny Farida
Fatima Fatou Fatoumata Florence Francine Françoise Gabrielle Geneviève Georgette Germaine
Ghislaine Gisèle Hafsa Hélène Hind Huguette Ibtissam Inès Ingrid Irène Isabelle Jacqueline
Jeanne Jeannine Jennifer Jessica Joëlle Josiane Josette Joséphine Julie Juliette Justine
Karima Karine Khadija Laetitia Laëtitia Laura Laure Laurence Léa Leïla Leila Léna Léonie
Lila Lina Lisa Louise Lucie Lucienne Lydie Madeleine Maëlle Maëlys Malika Manon Marcelle
Margaux Marguerite Maria Marianne Marie Marie-Claude Marie-Christine Marie-France
Marie-Thérèse Mariam Marion Marthe Martine Maryam Maryse Mathilde Maud Mélanie Mélissa
Michèle Micheline Mireille Monique Morgane Myriam Nadège Nadia Nadine Naïma Nathalie Nawel
Nelly Nicole Nina Noémie Nora Nour Nadia Odette Odile Pascale Patricia Paulette Pauline
Perrine Rachida Raymonde Rebecca Renée Rokia Roselyne Rym Sabine Sabrina Safia Salomé
Samia Samira Sandra Sandrine Sara Sarah Séverine Sihem Simone Solène Sonia Sophie Stéphanie
Suzanne Suzette Sylvie Tatiana Thérèse Valérie Vanessa Véronique Victoria Virginie Viviane
Yasmina Yasmine Yolande Yvette Yvonne Zahra Zoé Zineb Jade Rose Ambre Lola Louna Romane Mila
Anna Claire Lou Lilou Lya Lyna Maya Alba Iris Capucine Margot Léane Lise Célia Imane Meryem Kenza
Soraya Maëva Océane Kelly Cindy Ludivine Gwenaëlle Gwendoline Tiphaine Gaëlle Gwen Nolwenn
Enora Maïwenn Clémence Constance Victoire Héloïse Anaëlle Lana Louane Luna Mia Nour Sofia
Sophia Éva Ilona Jeanne Albane Bérénice Blandine Cassandra Cécilia Christel Coline Émilie
Fleur Floriane Hanane Hawa Houda Jasmine Kadidja Lætitia Latifa Leslie Lorène Louisa Lucile
Mallaury Marina Marjorie Maryline Mégane Naomi Naïs Oumou Priscilla Rania Salma Sana Sarra
Sylvia Tatiana Vanina Wendy Yaëlle Yasmin Aurore Aude Ophélie Pascaline Prisca Rachel
"""

MALE = """
Abdel Abdelkader Abdoulaye Adam Adrien Ahmed Alain Alban Albert Alexandre Alexis Ali Amadou
Amine Anthony Antoine Armand Arnaud Arthur Aurélien Axel Aymeric Baptiste Bastien Benjamin
Benoît Bernard Bertrand Boris Brahim Bruno Cédric Charles Christian Christophe Clément
Corentin Cyril Damien Daniel David Denis Didier Dimitri Djibril Dylan Edouard Édouard Éric
Étienne Fabien Fabrice Farid Florian Francis Franck François Frédéric Gabriel Gaël Gaëtan
Georges Gérald Gérard Gilbert Gilles Grégory Guillaume Guy Hakim Hamid Hervé Henri Hicham
Hugo Hugues Ibrahim Idriss Ilyes Ismaël Jacques Jean Jean-Baptiste Jean-Claude Jean-François
Jean-Louis Jean-Luc Jean-Marc Jean-Marie Jean-Michel Jean-Paul Jean-Pierre Jérémy Jérôme
Joël Jonathan Jordan Joseph Julien Karim Kevin Kévin Khalid Lamine Laurent Léo Léon Lionel
Loïc Louis Luc Lucas Ludovic Mamadou Marc Marcel Mathéo Mathieu Mathis Matthieu Maurice
Maxime Medhi Mehdi Michel Mickaël Mohamed Mohammed Moussa Mustapha Nabil Nathan Nicolas Noah
Olivier Omar Oscar Ousmane Pascal Patrice Patrick Paul Philippe Quentin Rachid Raphaël
Raymond Rayan Régis Rémi Rémy René Richard Robert Roger Romain Sacha Samir Samuel Sébastien
Serge Simon Slimane Sofiane Stéphane Sylvain Théo Thibault Thierry Thomas Timothée Tristan
Valentin Victor Vincent Walid Xavier Yacine Yanis Yann Yannick Youssef Yves Yvon Zinedine
Enzo Tom Léo Lucas Malo Maël Mael Timéo Nathan Ethan Kylian Kilian Killian Evan Noé Nolan Théo
Tiago Sasha Lenny Liam Jules Gabin Aaron Naël Ayoub Ilyes Issa Wassim Bilal Erwan Ronan Tanguy
Mathys Jérémie Ilan Ryan Rayane Eden Marius Milo Nino Timéo Loris Lorenzo Mattéo Matteo Nils
Alexandre Anas Aymen Bryan Cyprien Damien Dorian Elias Éloi Esteban Félix Florent Gaspard
Gauthier Ghislain Gilles Guilhem Hamza Hector Ismail Jason Jimmy Joris Kamel Kenzo Killian
Lilian Luca Mathias Maximilien Mohand Morgan Nassim Nicolas Octave Pierre Pierre-Yves Rémy
Riad Samy Sami Sofian Souleymane Steven Sylvère Tanguy Teddy Tony Ulysse Wilfried Yoann
Abdallah Adama Boubacar Cheikh Habib Karl Kader Malik Mehmet Moussa Nordine Redouane Sékou
Jean-Hugues Jean-Yves Jean-Charles Marc-Antoine Pierre-Louis Paul-Henri
"""

SURNAMES = """
Arnaud Aubert Barbier Baron Benard Berger Bertin Blanc Bonnet Bouvier Brun Carpentier Carré
Chevalier Clément Colin Collet Cousin Dufour Dumas Dupuis Durand Fabre Faure Fleury Fontaine
Fournier Garnier Gauthier Gérard Giraud Guérin Guillot Hamon Huet Jacob Joly Laine Lambert
Lebrun Leclerc Lefèvre Legrand Lemaire Lemoine Leroux Lucas Marchand Marie Martinez Masson
Mathieu Meunier Meyer Michaud Moreau Morel Olivier Perrin Picard Poirier Renard
Renaud Rey Rivière Robin Roche Rousseau Roussel Roux Roy Schmitt Vidal Vincent Weber
"""

# Names that are also common words: only taken as first names mid-sentence.
AMBIGUOUS = frozenset(
    {"aurore", "rose", "claire", "pierre", "marine", "victoire", "constance", "clemence",
     "grace", "blanche", "prune", "ambre", "jade", "olive", "noel", "patience", "fleur",
     "violette", "capucine"}
)


class _FoldTable(dict):
    """str.translate table computing each character's folded form on first sight."""

    def __missing__(self, code: int) -> str:
        ch = chr(code)
        base = unicodedata.normalize("NFD", ch)[0]
        low = base.lower()
        self[code] = folded = low if len(low) == 1 else base
        return folded


_FOLD = _FoldTable()


def fold(text: str) -> str:
    """Lower-case and strip accents, one code point in, one out (offsets survive)."""
    return text.translate(_FOLD)


def _words(block: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(block.split()))


FEMALE_NAMES = _words(FEMALE)
MALE_NAMES = _words(MALE)
SURNAME_POOL = _words(SURNAMES)

# folded first name -> "F", "M" or None when both
FIRST_NAMES: dict[str, str | None] = {}
for _name in FEMALE_NAMES:
    FIRST_NAMES[fold(_name)] = "F"
for _name in MALE_NAMES:
    FIRST_NAMES[fold(_name)] = None if FIRST_NAMES.get(fold(_name)) == "F" else "M"
for _name in ("camille", "dominique", "claude", "sacha", "alix", "yannick"):
    FIRST_NAMES[_name] = None


def substitute_name(number: int, gender: str | None) -> tuple[str, str]:
    """A deterministic (first name, surname) for the n-th person of a project."""
    pool = MALE_NAMES if gender == "M" else FEMALE_NAMES
    if gender is None:
        pool = FEMALE_NAMES if number % 2 else MALE_NAMES
    surname = SURNAME_POOL[(number * 37) % len(SURNAME_POOL)]
    first = pool[(number * 17 + number // len(SURNAME_POOL)) % len(pool)]
    return first, surname
