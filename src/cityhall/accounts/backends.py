"""Sign in with a user name, an e-mail address or a phone number."""

from django.contrib.auth.backends import ModelBackend
from django.db.models import Q

from .models import User
from .phones import normalise_phone


class EmailOrPhoneBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if not username or not password:
            return None
        login = username.strip()
        query = Q(username=login) | Q(email__iexact=login)
        phone = normalise_phone(login)
        if phone:
            query |= Q(phone=phone)
        user = User.objects.filter(query).order_by("pk").first()
        if user is None:
            User().set_password(password)  # same work factor either way: no timing oracle
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
