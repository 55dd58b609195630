"""What the tests share: personas, images, servers on loopback, the task harness, the install."""
