"""One module per printed table. Each builds a `Table` of figures; the HTML page, Excel, PDF and
CLI renderers only lay a Table out, so the figures cannot differ between outputs."""
