from bot.cli import main

# Guarded, so that importing the module (a tool, a test) does not start the command line.
if __name__ == "__main__":
    main()
