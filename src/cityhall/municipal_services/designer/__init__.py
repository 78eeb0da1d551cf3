"""The service designer: what officials build a service definition from without typing JSON
(field kinds, rule conditions, stages chosen from lists), the checks a version passes before it
is published, and the difference between two versions.

Pure modules except :mod:`.references` (which reads the request types and registers that
exist): views call them to build forms; :mod:`..services.designer` changes drafts with them.
"""
