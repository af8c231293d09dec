import IPP
print("ippgate")
