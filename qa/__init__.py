"""How residents' questions are answered from what the commune published.

- vntext, lexicon (+ wordlists/): Vietnamese folding and syllables; shorthand, regional words, synonyms
- query_words, query_names, query: a question turned into weighted terms, names, years, answer kind
- entries, bm25, index: what is indexed (an entry per document) and the index built from them
- ranking, confidence, passages: ranked hits, how likely each answers, the passage quoted
- searcher: what handlers call; builds the index and ranks off the event loop
"""
