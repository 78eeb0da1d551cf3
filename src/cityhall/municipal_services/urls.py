app_name = "municipal_services"

urlpatterns: list = []
