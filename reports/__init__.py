"""Cabinet and committee packs: plain-English narrative, printable HTML and PDF, XLSX export."""
