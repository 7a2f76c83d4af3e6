using System;
using ER.Managed.Cli;

return Cli.Run(args, Console.Out, Console.Error);
