#!/usr/bin/env bash
# Debian packages the full test suite uses: Tesseract (OCR), Chromium (browser tests),
# PostgreSQL (the suite runs against a real server too). Installs what is missing when run as
# root with apt-get; otherwise says what to install and carries on (those tests then skip).
set -u
pkgs=(tesseract-ocr tesseract-ocr-eng tesseract-ocr-fra tesseract-ocr-spa tesseract-ocr-por
      chromium chromium-driver postgresql)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
    || echo "warning: could not install ${missing[*]}; the tests that need them will skip" >&2
else
  echo "note: missing Debian packages ${missing[*]} (sudo apt-get install them); the tests that need them will skip" >&2
fi
exit 0
