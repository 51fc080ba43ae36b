"""Rendering a plan document: markup → HTML, live blocks → parts, the document → HTML, PDF and DOCX."""
