"""The werkplek: the web workplace for wijkcoaches, consulenten, Meldpunt, beleid and beheer (issue 14).

A client of the four services' public HTTP APIs on port 8000 (`python -m werkplek`); see app.py.
"""
