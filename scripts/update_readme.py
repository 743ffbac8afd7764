"""Refresh the parts of README.md that the code generates (the named-range contract)."""

import re
from pathlib import Path

from xlplan.workbook import contract_markdown

readme = Path(__file__).resolve().parents[1] / "README.md"
text = readme.read_text()
text = re.sub(r"(<!-- contract: [^>]*-->\n).*?(<!-- /contract -->)",
              lambda m: m.group(1) + contract_markdown() + "\n" + m.group(2), text, flags=re.S)
readme.write_text(text)
