console.log('create-milkyway');
