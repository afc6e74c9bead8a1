from django.contrib.auth.backends import ModelBackend


class AccountBackend(ModelBackend):
    """ModelBackend that also turns away locked accounts.

    Sign-in pages check the lock before any password is verified. This backend
    is the second line of defence, for any code path that calls authenticate()
    or loads the user from a session directly.
    """

    def user_can_authenticate(self, user) -> bool:
        return super().user_can_authenticate(user) and user.locked_at is None
