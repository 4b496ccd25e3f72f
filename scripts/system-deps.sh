#!/usr/bin/env bash
# Debian packages some tests and the Word-report check need: LibreOffice (headless docx -> pdf/text)
# and Chromium (end-to-end test of the explorer). Installed when missing and we can; never fatal.
set -u
need=()
command -v soffice >/dev/null 2>&1 || need+=(libreoffice-writer-nogui)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installation des paquets système : ${need[*]}"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}") >/dev/null 2>&1 \
    || echo "Avertissement : installation de ${need[*]} impossible ; les tests qui en dépendent seront ignorés."
else
  echo "Avertissement : ${need[*]} absents (installez-les avec apt) ; les tests qui en dépendent seront ignorés."
fi
exit 0
