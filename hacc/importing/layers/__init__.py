"""Map each daemon's parsed files to its part of the model's JSON form."""
