"""Request pages: the resident's form and cabinet, the public list and map, organisation pages,
and the staff desks (queue, dispatcher board, call centre, executor view, reports).

Views parse, call one service or selector, render. Every page works without JavaScript.
One module per audience: :mod:`.resident`, :mod:`.public`, :mod:`.dispatch` (queue, board,
staff page, bulk moves), :mod:`.call_centre`, :mod:`.reports`, :mod:`.placing` (the report
form's map: the place lookup and "this is my problem too"); :mod:`.pages` holds what they share.
``urls.py`` names each view in its module.
"""
