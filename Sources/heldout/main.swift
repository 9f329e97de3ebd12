print("heldout")
