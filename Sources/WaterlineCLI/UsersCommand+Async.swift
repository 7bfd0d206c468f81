import AccountsCommand

// `waterline users ...` runs through the CLI's own async dispatch.
extension UsersCommand.Add: AsyncCommand {}
extension UsersCommand.List: AsyncCommand {}
extension UsersCommand.Disable: AsyncCommand {}
extension UsersCommand.Enable: AsyncCommand {}
