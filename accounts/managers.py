from django.contrib.auth.base_user import BaseUserManager
from django.utils import timezone

from accounts.usernames import normalize_username


class UserManager(BaseUserManager):
    use_in_migrations = True

    def get_by_natural_key(self, username: str):
        return self.get(username=normalize_username(username))

    def _create(self, username: str, email: str, password: str | None, **fields):
        user = self.model(
            username=normalize_username(username),
            email=self.normalize_email(email or ""),
            **fields,
        )
        if password is None:
            user.set_unusable_password()
        else:
            user.set_password(password)
            user.password_changed_at = timezone.now()
        user.save(using=self._db)
        return user

    def create_user(self, username: str, email: str = "", password=None, **fields):
        fields.setdefault("is_staff", False)
        fields.setdefault("is_superuser", False)
        return self._create(username, email, password, **fields)

    def create_superuser(self, username: str, email: str = "", password=None, **fields):
        fields["is_staff"] = True
        fields["is_superuser"] = True
        return self._create(username, email, password, **fields)
