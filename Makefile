# Everything a fresh clone needs. `make demo` and `make test` are the two README commands.
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
BERTOPIC := bertopic==0.17.4
PROJECT ?= projets/demo

.PHONY: install demo app test clean

$(STAMP): pyproject.toml Makefile
	@command -v $(PY) >/dev/null 2>&1 || { echo "Python 3.11 introuvable ($(PY)) : installez-le ou passez PY=/chemin/vers/python3.11"; exit 1; }
	test -d $(VENV) || $(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	# BERTopic's documented light install: no sentence-transformers, no torch.
	$(BIN)/pip install --quiet --no-deps $(BERTOPIC)
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/listening demo --project $(PROJECT) --open

app: $(STAMP)
	$(BIN)/listening app --project $(PROJECT)

test: $(STAMP)
	./scripts/system-deps.sh
	$(BIN)/python -m pytest -q -p no:cacheprovider

clean:
	rm -rf $(VENV) projets
