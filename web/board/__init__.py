"""The public notice board: pages residents read without logging in (DESIGN.md "Pages")."""
