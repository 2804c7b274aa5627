"""Vietnamese text, word lists, query analysis, ranking, passages and confidence: how questions are answered."""
