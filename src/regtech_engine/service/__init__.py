"""The pre-launch check service (``regtech serve``, extra ``[serve]``) on the public API."""
