from hacc.entry import main

main()
