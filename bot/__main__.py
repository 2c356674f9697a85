from bot.cli import main

# Guarded: a helper process (bot.intake.helper) imports this module again.
if __name__ == "__main__":
    main()
