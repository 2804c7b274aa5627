"""One repository per aggregate; each wraps the unit of work's session."""
