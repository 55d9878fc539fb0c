from newsmill.cli import main

main()
