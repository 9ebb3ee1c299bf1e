console.log('hello placeholder');
