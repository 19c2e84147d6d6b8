"""Test-wide fixtures shared by every app's tests."""
