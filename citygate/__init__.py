"""CityGate: one entrance to a city's government services, utilities and local news."""
