"""Files: photo and avatar storage (local disk or S3) and image decoding."""
