"""One powertools Router per resource."""
