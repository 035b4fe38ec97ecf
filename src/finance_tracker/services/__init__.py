"""Use cases, one database transaction each, called alike by web pages, the API and the worker.

Every function takes the signed-in `user_id`: there is no unscoped read path to forget.
"""
