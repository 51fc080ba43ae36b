"""Rule coverage: which periods each dated reference rule covers, and what is missing."""
