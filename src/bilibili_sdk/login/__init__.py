"""Logging in: QR code, password, SMS, and the Geetest captcha a person solves."""
