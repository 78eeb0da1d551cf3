"""Pages of municipal services: thin — parse, call one service or selector, render.

Everything works without JavaScript: the application form is rendered on the server from the
version's JSON Schema; errors come back beside their fields with status 422.

One module per workflow, each mounted by ``urls.py``: :mod:`.catalogue` (services, registers),
:mod:`.applications` (the applicant's form, documents, case page), :mod:`.signature` (sign and
submit, verify), :mod:`.desk` (the staff desk, paper applications, stage actions),
:mod:`.letters` (the letter printed for a paper applicant), :mod:`.standard_requests`,
:mod:`.statistics`, :mod:`.consultations`, :mod:`.preview` (a
definition's form for officials), :mod:`.life_situations` and :mod:`.widget` (the form inside
other portals). What they share (paging, domain errors as 4xx pages) is :mod:`.common`.
"""
