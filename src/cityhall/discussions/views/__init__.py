"""Pages of public discussions: the public record, participation, and the staff desks.

Views parse, call one service or selector, and render. Domain errors become messages beside
the fields (or a 4xx page) through :func:`base.run_service`. One module per part of the site
(``urls.py`` names them): :mod:`.public`, :mod:`.participation`, :mod:`.feeds`,
:mod:`.statistics`, :mod:`.staff`; what they share is in :mod:`.base`.
"""
