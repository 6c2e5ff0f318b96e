print("seed: TODO")
