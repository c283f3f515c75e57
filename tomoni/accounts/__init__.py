"""Accounts: the second login factor (2段階認証), password strength and login throttling."""
