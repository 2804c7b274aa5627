"""What the commune's work is, with no I/O: neutral messages, petition rules, deadlines, calendar maths, texts."""
