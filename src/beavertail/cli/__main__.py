from beavertail.cli import main

main()
