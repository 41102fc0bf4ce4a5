"""The texts of the laws the rules cite: parsed articles, versions by date, quotes.

Kept apart from the rule language so that ``regtech check`` parses a text only when a
finding or a citation check needs it.
"""
