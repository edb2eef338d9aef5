print("affdesk")
