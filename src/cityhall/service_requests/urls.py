app_name = "service_requests"

urlpatterns: list = []
