print("risksignal")
