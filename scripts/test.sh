#!/usr/bin/env bash
# Install what the tests need and run them: Debian's LibreOffice (the real spreadsheet application
# the tests open every workbook in), poppler-utils (PDF to text and PNG) and Chromium (the browser
# the tests open the HTML report in, driven by Playwright), then a virtual environment with xlplan
# and its test and mpi extras; then the type checker and pytest. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v soffice >/dev/null 2>&1 || missing+=(libreoffice-calc-nogui fonts-dejavu-core)
command -v pdftotext >/dev/null 2>&1 || missing+=(poppler-utils)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
if ((${#missing[@]})); then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "installing ${missing[*]} (Debian packages) ..."
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e '.[test,mpi]'
# the type checker, strict on problem/, model/, solver/ and results/ (configured in pyproject.toml)
.venv/bin/python -m mypy
exec .venv/bin/python -m pytest "$@"
