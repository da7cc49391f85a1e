"""Account pages: signing in (views.auth, views.second_factor) and managing accounts
(views.users, views.user_actions)."""
