"""Keyword articles: loading, storing, lookup and import of the keyword site's pages."""
