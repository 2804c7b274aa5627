"""The six-monthly report for the commune's steering committee (HTML and PDF)."""
