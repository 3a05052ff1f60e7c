"""Topics: what tickets are about, learned from trusted categories or discovered from the text."""
