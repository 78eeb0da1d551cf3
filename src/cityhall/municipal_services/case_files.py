"""The purposes of a case's files, by name (``file_access`` declares them with their rules;
the services store files under these names without importing the rules)."""

APPLICATION_FILE = "municipal_services.application_file"
RESULT = "municipal_services.result"
ANSWER_FILE = "municipal_services.answer_file"
