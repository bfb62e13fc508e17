from hacc.cli import main

main()
